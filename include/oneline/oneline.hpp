#pragma once

/// \file
/// Everything a user of oneline includes, in one header.
#include <oneline/client.hpp>
#include <oneline/decoding.hpp>
#include <oneline/device.hpp>
#include <oneline/errors.hpp>
#include <oneline/export.hpp>
#include <oneline/faults.hpp>
#include <oneline/logger.hpp>
#include <oneline/server.hpp>
#include <oneline/transcript.hpp>
#include <oneline/version.hpp>
