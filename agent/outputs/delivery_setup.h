// Opens delivery (agent/delivery) with the configuration's settings, faultline's log, and the
// version for the User-Agent; and summarises its counters for the end-of-run line.
#pragma once

#include <memory>
#include <string>

#include "agent/config/config.h"
#include "agent/delivery/delivery.h"
#include "base/status.h"

namespace faultline {

Result<std::unique_ptr<delivery::Delivery>> open_delivery(const config::Config& config);

// "12 sent, 0 waiting in the spool, 1 dropped (413 Payload Too Large: 1)".
std::string delivery_summary(const delivery::Delivery& delivery);

}  // namespace faultline
