#include "trawl/status.h"

static const char *const status_messages[] = {
#define TRAWL_STATUS_MSG(name, msg) [TRAWL_##name] = msg,
	TRAWL_STATUS_LIST(TRAWL_STATUS_MSG)
#undef TRAWL_STATUS_MSG
};

const char *
trawl_status_str(trawl_status_t status)
{
	if ((unsigned)status >= TRAWL_STATUS_COUNT)
		return "unknown status";
	return status_messages[status];
}
