/*
 * w_form.h - a form of labelled fields (the CA set-up wizard): text
 * fields with defaults, choice fields, per-field validation.
 *
 * Tab, Down (C-n) go to the next field and Shift-Tab, Up (C-p) to the
 * previous one; leaving a field validates it, but never traps the user in
 * it.  Enter validates every field and then the whole form; if all is
 * well it returns W_SUBMIT, otherwise the first bad field gets the focus
 * and its error is shown.  Esc returns W_CANCEL.  Left/Right or Space
 * cycle a choice field; a text field edits as the prompt does.
 */
#ifndef W_FORM_H
#define W_FORM_H

#include <curses.h>
#include <stddef.h>

#include "w_edit.h"
#include "w_widget.h"

#define W_FORM_ALL	((size_t)-1)

struct w_field_def {
	const char		*label;
	const char		*value;		/* default, may be NULL */
	const char		*help;		/* one line, may be NULL */
	const char *const	*choices;	/* NULL-terminated: a choice */
	int			 flags;
#define W_FIELD_SECRET	0x01	/* drawn as '*' */
	size_t			 max;		/* bytes; 0: 255 */
};

/*
 * Check "value" of field i; returns NULL if good or a message (copied by
 * the form).  At submit it is called once more with W_FORM_ALL and a
 * NULL value, for rules that span fields (read them with w_form_value).
 */
typedef const char *(*w_form_validate_cb)(void *arg, size_t i,
    const char *value);

struct w_form_field {
	char			*label;
	char			*help;
	struct w_edit		 edit;
	char			**choices;	/* copied */
	size_t			 nchoices;
	size_t			 choice;
	int			 flags;
	char			*error;
};

struct w_form {
	struct w_rect		 r;
	char			*title;
	struct w_form_field	*f;
	size_t			 n;
	size_t			 cur;
	size_t			 top;	/* first field shown */
	char			*error;	/* form-wide error */
	w_form_validate_cb	 validate;
	void			*arg;
	int			 cx;	/* cursor after draw */
	int			 cy;
};

struct w_form	*w_form_new(const char *title, const struct w_field_def *,
		    size_t n, w_form_validate_cb, void *arg);
void		 w_form_free(struct w_form *);
void		 w_form_resize(struct w_form *, const struct w_rect *);
/* Draws; (*cy, *cx) get the cursor for a text field, -1 otherwise. */
void		 w_form_draw(struct w_form *, WINDOW *, int *cy, int *cx);
int		 w_form_key(struct w_form *, int);

const char	*w_form_value(const struct w_form *, size_t);
void		 w_form_set_value(struct w_form *, size_t, const char *);
const char	*w_form_error(const struct w_form *, size_t);
void		 w_form_focus(struct w_form *, size_t);
/*
 * Validate every field, then the form.  Returns 0 if all is well, or -1
 * with the errors set and the focus on the first bad field.
 */
int		 w_form_check(struct w_form *);

#endif /* W_FORM_H */
