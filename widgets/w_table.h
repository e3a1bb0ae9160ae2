/*
 * w_table.h - column layout for list rows: widths, alignment, elastic
 * columns, columns dropped when the terminal is narrow, and the header.
 *
 * The layout is pure arithmetic (w_table_layout) so it is tested at 80
 * and 200 columns without a terminal; the drawing helpers put cells
 * where the layout says, clipped and sanitised.
 */
#ifndef W_TABLE_H
#define W_TABLE_H

#include <curses.h>
#include <stddef.h>

#include "w_widget.h"

#define W_ALIGN_LEFT	0
#define W_ALIGN_RIGHT	1
#define W_ALIGN_CENTER	2

struct w_column {
	const char	*title;
	int		 min;	 /* columns it needs to be useful */
	int		 max;	 /* widest it grows; 0: no limit */
	int		 weight; /* share of the spare width; 0: fixed */
	int		 align;	 /* W_ALIGN_* */
	int		 drop;	 /* 0: always shown; higher goes first */
};

struct w_table {
	struct w_column	*col;	/* copied; titles are not */
	size_t		 ncol;
	int		*width;	/* computed; 0 when the column is hidden */
	int		*x;	/* computed offset from the row start */
	int		 gap;	/* blanks between columns */
	int		 total;	/* width laid out for */
	size_t		 sort;	/* sort column, shown in the header */
	int		 sort_desc;
	int		 sort_shown;
};

struct w_table	*w_table_new(const struct w_column *, size_t, int gap);
void		 w_table_free(struct w_table *);
/*
 * Lay the columns out in "width" columns: drop the columns with the
 * highest "drop" until the minimums fit, then share what is left between
 * elastic columns by weight, up to their max.
 */
void		 w_table_layout(struct w_table *, int width);
void		 w_table_resize(struct w_table *, int width);
/* Show the sort column (desc: descending) in the header. */
void		 w_table_set_sort(struct w_table *, size_t, int desc);
/* '<' and '>' move the sort column, 'I' inverts: W_CHANGED. */
int		 w_table_key(struct w_table *, int);
int		 w_table_visible(const struct w_table *, size_t);
void		 w_table_draw_header(struct w_table *, WINDOW *,
		    const struct w_rect *, attr_t);
/* Draw cell i of the row at r (one line); hidden columns draw nothing. */
void		 w_table_draw_cell(struct w_table *, WINDOW *,
		    const struct w_rect *, size_t, attr_t, const char *);

#endif /* W_TABLE_H */
