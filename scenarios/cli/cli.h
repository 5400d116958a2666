// Entry point of the dmsgsim command line.
#pragma once

namespace scenarios::cli {

int main(int argc, char** argv);

}  // namespace scenarios::cli
