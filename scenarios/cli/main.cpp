// The dmsgsim program.
#include "scenarios/cli/cli.h"

int main(int argc, char** argv) { return scenarios::cli::main(argc, argv); }
