/*
 * w_list.h - a scrollable, selectable list or tree whose rows come from
 * callbacks (tmux's mode-tree, htop's Panel).
 *
 * The list owns only the cursor and the scroll position.  The data, the
 * tags and which groups are collapsed belong to the owner, who answers
 * through the ops; the owner's model may be re-sorted or filtered between
 * two draws and the list just clamps its cursor.
 */
#ifndef W_LIST_H
#define W_LIST_H

#include <curses.h>
#include <stddef.h>

#include "w_widget.h"

#define W_LIST_NONE	((size_t)-1)

/* Flags for draw_row. */
#define W_ROW_SELECTED	0x01	/* the cursor is on this row */
#define W_ROW_TAGGED	0x02
#define W_ROW_FOCUSED	0x04	/* the list has the keyboard focus */

/* Operations for tag(). */
#define W_TAG_GET	0
#define W_TAG_SET	1
#define W_TAG_CLEAR	2
#define W_TAG_TOGGLE	3

/* Operations for expand(). */
#define W_EXPAND_COLLAPSE 0
#define W_EXPAND_OPEN	1
#define W_EXPAND_TOGGLE	2

struct w_list_ops {
	/* Number of visible rows (collapsed children are not rows). */
	size_t	(*count)(void *arg);
	/* Draw row i into the one-line rectangle; must fill its width. */
	void	(*draw_row)(void *arg, WINDOW *, const struct w_rect *,
		    size_t i, int flags);
	/* Optional: a header line above the rows (column titles). */
	void	(*draw_header)(void *arg, WINDOW *, const struct w_rect *);
	/* Optional: tags; returns the tag state of row i after "op". */
	int	(*tag)(void *arg, size_t i, int op);
	/*
	 * Optional: collapse or open the group at row i; returns 1 if the
	 * rows changed, 0 if row i is not a group or was already so.
	 */
	int	(*expand)(void *arg, size_t i, int op);
	/* Optional: the row of i's group, or i itself at the top level. */
	size_t	(*parent)(void *arg, size_t i);
	/* Optional: keys the list does not know, with the cursor row. */
	int	(*key)(void *arg, size_t i, int key);
};

struct w_list {
	struct w_rect		 r;
	const struct w_list_ops	*ops;
	void			*arg;
	size_t			 sel;	/* cursor row */
	size_t			 top;	/* first row shown */
	int			 focused;
	char			*empty;	/* shown when there are no rows */
};

struct w_list	*w_list_new(const struct w_list_ops *, void *arg);
void		 w_list_free(struct w_list *);
void		 w_list_resize(struct w_list *, const struct w_rect *);
void		 w_list_draw(struct w_list *, WINDOW *);
/*
 * Navigation (Up/Down/k/j, PgUp/PgDn, Home/End/g/G), Space (tag and go
 * down), Left/'-' (collapse or go to the group), Right/'+' (open), Enter
 * (W_SUBMIT).  Cursor moves report W_CHANGED.  Other keys go to ops->key.
 */
int		 w_list_key(struct w_list *, int);

/* Rows that fit under the header. */
int		 w_list_body_height(const struct w_list *);
/* Clamp cursor and scroll to the current row count (after a rebuild). */
void		 w_list_fix(struct w_list *);
size_t		 w_list_selected(const struct w_list *);
void		 w_list_select(struct w_list *, size_t);
void		 w_list_set_empty(struct w_list *, const char *);
void		 w_list_set_focus(struct w_list *, int);
/* Tag or untag every row; returns how many are tagged afterwards. */
size_t		 w_list_tag_all(struct w_list *, int on);
size_t		 w_list_tagged(const struct w_list *);

#endif /* W_LIST_H */
