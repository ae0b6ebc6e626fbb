// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are variadic, which Swift can't call; these typed
// wrappers can.
#include <curl/curl.h>

static inline CURLcode hw_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hw_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hw_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*hw_curl_write_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode hw_curl_setopt_write_function(CURL *handle, hw_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

typedef int (*hw_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode hw_curl_setopt_progress_function(CURL *handle, hw_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
