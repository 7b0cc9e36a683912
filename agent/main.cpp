// faultline: turns a Node.js service's Pino logs into Sentry events. See README.md.
#include "agent/cli/commands.h"

int main(int argc, char** argv) {
  return faultline::cli::run(argc, argv);
}
