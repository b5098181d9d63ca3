#ifndef CMALLOC_H
#define CMALLOC_H

/// Returns memory freed in every malloc arena to the system (glibc's malloc_trim); 0 elsewhere.
int cmalloc_trim(void);

#endif
