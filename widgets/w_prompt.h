/*
 * w_prompt.h - the one-line ':' prompt at the bottom of the console.
 *
 * Two ways to drive it.  Built in: feed keys to w_prompt_key(), which
 * edits (w_edit), walks the history on Up/Down and calls the completion
 * hook on Tab.  Bridged: the console runs readline in callback mode and
 * hands its line and point to w_prompt_show() from rl_redisplay_function;
 * the prompt only draws.  Either way the console places the terminal
 * cursor where w_prompt_draw() says.
 */
#ifndef W_PROMPT_H
#define W_PROMPT_H

#include <curses.h>

#include "w_edit.h"
#include "w_widget.h"

struct w_prompt;

/*
 * Called on Tab with the prompt; it may read w_prompt_line() and
 * w_prompt_point() and change the line with w_prompt_insert() or
 * w_prompt_set().  Returns W_* flags (W_REDRAW when it changed the line).
 */
typedef int (*w_prompt_complete_cb)(void *arg, struct w_prompt *);

struct w_prompt	*w_prompt_new(const char *prompt, size_t histmax);
void		 w_prompt_free(struct w_prompt *);
void		 w_prompt_resize(struct w_prompt *, const struct w_rect *);
/* Draws; *cx gets the cursor column (relative to the window). */
void		 w_prompt_draw(struct w_prompt *, WINDOW *, int *cx);
/*
 * Enter: W_SUBMIT (the line is added to the history and stays readable
 * until w_prompt_clear()); Esc or C-g: W_CANCEL; otherwise as w_edit.
 */
int		 w_prompt_key(struct w_prompt *, int);

void		 w_prompt_set_prompt(struct w_prompt *, const char *);
void		 w_prompt_set_complete(struct w_prompt *,
		    w_prompt_complete_cb, void *);
const char	*w_prompt_line(const struct w_prompt *);
size_t		 w_prompt_point(const struct w_prompt *);
void		 w_prompt_set(struct w_prompt *, const char *);
int		 w_prompt_insert(struct w_prompt *, const char *);
void		 w_prompt_clear(struct w_prompt *);
/* Bridged mode: show this line with the cursor at byte "point". */
void		 w_prompt_show(struct w_prompt *, const char *, size_t point);
struct w_history *w_prompt_history(struct w_prompt *);

#endif /* W_PROMPT_H */
