// GMime 3 for Swift: GObject's type checks and casts are macros, which Swift can't import; these inline functions
// wrap the few the mail reader needs.
#include <gmime/gmime.h>

static inline int hw_mime_is_multipart(GMimeObject *object) { return GMIME_IS_MULTIPART(object); }
static inline int hw_mime_is_part(GMimeObject *object) { return GMIME_IS_PART(object); }
static inline int hw_mime_is_text_part(GMimeObject *object) { return GMIME_IS_TEXT_PART(object); }
static inline int hw_mime_is_message_part(GMimeObject *object) { return GMIME_IS_MESSAGE_PART(object); }

static inline GMimeMultipart *hw_mime_multipart(GMimeObject *object) { return GMIME_MULTIPART(object); }
static inline GMimePart *hw_mime_part(GMimeObject *object) { return GMIME_PART(object); }
static inline GMimeTextPart *hw_mime_text_part(GMimeObject *object) { return GMIME_TEXT_PART(object); }
static inline GMimeObject *hw_mime_message_object(GMimeMessage *message) { return GMIME_OBJECT(message); }

/// The mailbox address of `address`, or NULL for a group.
static inline const char *hw_address_mailbox(InternetAddress *address) {
    return INTERNET_ADDRESS_IS_MAILBOX(address) ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)) : NULL;
}

/// The part's content, transfer-decoded (base64, quoted-printable), not converted: free with g_byte_array_free(array, TRUE).
static inline GByteArray *hw_mime_part_bytes(GMimePart *part) {
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (content == NULL) return NULL;
    GMimeStream *stream = g_mime_stream_mem_new();
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    g_mime_data_wrapper_write_to_stream(content, stream);
    GByteArray *array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
    g_object_unref(stream);
    return array;
}

static inline void hw_object_unref(void *object) { g_object_unref(object); }

/// `length` bytes in `charset` as UTF-8 (GMime's iconv, which knows the MIME names and their aliases); NULL when the
/// charset is unknown. Free with g_free.
static inline char *hw_mime_to_utf8(const char *charset, const char *bytes, size_t length) {
    iconv_t converter = g_mime_iconv_open("UTF-8", charset);
    if (converter == (iconv_t) -1) return NULL;
    char *text = g_mime_iconv_strndup(converter, bytes, length);
    g_mime_iconv_close(converter);
    return text;
}
