/*
 * w_keybar.h - the key-hint bar ("F1 Help  F5 Renew  / Filter"), as
 * htop's FunctionBar.  Hints that do not fit are left out from the end,
 * so order them by importance.
 */
#ifndef W_KEYBAR_H
#define W_KEYBAR_H

#include <curses.h>
#include <stddef.h>

#include "w_widget.h"

struct w_keyhint {
	const char	*key;	/* "F5", "/", "Space" */
	const char	*label;	/* "Renew" */
};

struct w_keybar {
	struct w_rect		 r;
	struct w_keyhint	*hint;	/* copied, strings too */
	size_t			 n;
};

struct w_keybar	*w_keybar_new(void);
void		 w_keybar_free(struct w_keybar *);
void		 w_keybar_set(struct w_keybar *, const struct w_keyhint *,
		    size_t);
void		 w_keybar_resize(struct w_keybar *, const struct w_rect *);
void		 w_keybar_draw(struct w_keybar *, WINDOW *);
/* The bar takes no keys; present so every widget has the same shape. */
int		 w_keybar_key(struct w_keybar *, int);
/* How many hints fit in width columns (pure). */
size_t		 w_keybar_fit(const struct w_keybar *, int width, int flags);

#endif /* W_KEYBAR_H */
