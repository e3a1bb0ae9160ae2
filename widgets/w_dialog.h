/*
 * w_dialog.h - a confirmation box that names what will happen
 * ("Renew 3 services: example.com:mail, ...?") with two buttons.
 *
 * Enter chooses the highlighted button, y and n choose directly, Left,
 * Right and Tab move, Esc is "no".  Returns W_SUBMIT for yes and W_CANCEL
 * for no; the choice stays readable in d->choice.  Destructive actions
 * should start on "no" (def_yes = 0).
 */
#ifndef W_DIALOG_H
#define W_DIALOG_H

#include <curses.h>

#include "w_widget.h"

struct w_dialog {
	struct w_rect	 screen;	/* where to centre */
	struct w_rect	 box;		/* computed */
	char		*title;
	char		*msg;
	char		*yes;
	char		*no;		/* NULL: a message box with OK only */
	int		 cur;		/* 1: yes highlighted */
	int		 choice;	/* 1 yes, 0 no, -1 undecided */
};

struct w_dialog	*w_dialog_new(const char *title, const char *msg,
		    const char *yes, const char *no, int def_yes);
void		 w_dialog_free(struct w_dialog *);
void		 w_dialog_resize(struct w_dialog *, const struct w_rect *);
void		 w_dialog_draw(struct w_dialog *, WINDOW *);
int		 w_dialog_key(struct w_dialog *, int);
/* Compute d->box for the screen (pure; done by resize). */
void		 w_dialog_layout(struct w_dialog *);

#endif /* W_DIALOG_H */
