#pragma once

// The operating system's headers for the BSD socket calls every platform shares (getaddrinfo,
// bind, listen, connect, getsockname, getpeername, inet_ntop). Included by src/platform/ only.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif
