#pragma once

// Everything a user of oneline includes.
#include <oneline/client.hpp>
#include <oneline/decoding.hpp>
#include <oneline/errors.hpp>
#include <oneline/faults.hpp>
#include <oneline/logger.hpp>
#include <oneline/server.hpp>
#include <oneline/version.hpp>
