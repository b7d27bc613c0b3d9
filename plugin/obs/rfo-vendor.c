#include "rfo-vendor.h"
