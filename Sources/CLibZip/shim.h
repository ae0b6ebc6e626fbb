// Debian's libzip (libzip-dev): the static archive of the wall as one .zip file.
#include <zip.h>
