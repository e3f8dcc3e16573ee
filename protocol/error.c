/*
 * error.c — names of the MCC_ERR_* codes, for hosts to print.
 */
#include <mcc/mcc.h>

const char *mcc_strerror(int err) {
  switch (err) {
  case MCC_OK: return "success";
  case MCC_ERR_INVALID_ARGUMENT: return "invalid argument";
  case MCC_ERR_NOMEM: return "out of memory";
  case MCC_ERR_TRUNCATED: return "input is truncated";
  case MCC_ERR_BAD_LENGTH: return "a length field is out of range";
  case MCC_ERR_VERSION: return "unsupported protocol version";
  case MCC_ERR_TYPE: return "unknown message or certificate type";
  case MCC_ERR_BAD_SIGNATURE: return "bad signature";
  case MCC_ERR_DECRYPT: return "authentication tag did not verify";
  case MCC_ERR_REPLAY: return "replayed or too old";
  case MCC_ERR_CERT_EXPIRED: return "certificate expired";
  case MCC_ERR_CERT_NOT_YET_VALID: return "certificate not yet valid";
  case MCC_ERR_UNTRUSTED: return "certificate not trusted by policy";
  case MCC_ERR_ID_LENGTH: return "node id must be 52 characters";
  case MCC_ERR_ID_CHAR:
    return "node id has a character outside 0123456789abcdefghjkmnpqrstvwxyz";
  case MCC_ERR_ID_PADDING: return "node id has non-zero trailing bits";
  case MCC_ERR_BASE64: return "malformed Base64";
  case MCC_ERR_NO_LINK: return "no link with that address";
  case MCC_ERR_NO_ROUTE: return "no route to destination";
  case MCC_ERR_STALE: return "older than the state already held";
  case MCC_ERR_STATE: return "message not valid in this link state";
  case MCC_ERR_LIMIT: return "limit reached";
  case MCC_ERR_SYNTAX: return "syntax error";
  case MCC_ERR_VALUE: return "malformed value";
  case MCC_ERR_BUSY: return "over a rate limit or the handshake budget";
  case MCC_ERR_CONFLICT: return "held by another node or endpoint";
  default: return "unknown error";
  }
}
