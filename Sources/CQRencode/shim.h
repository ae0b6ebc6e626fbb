// Debian's libqrencode (libqrencode-dev): QR codes for the follower page's URL on the projector.
#include <qrencode.h>
