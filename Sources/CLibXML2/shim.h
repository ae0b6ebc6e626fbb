// libxml2's HTML parser, for the text of HTML mail and posts.
#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, whose headers clash with the copy of ICU inside Foundation. The wall never
// touches libxml2's encoding handlers (where ICU appears, as two pointers at their end), so it is left out here.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/// libxml2's `xmlFree` is a global function pointer, which Swift sees as shared mutable state.
static inline void hw_xml_free(void *pointer) { xmlFree(pointer); }
