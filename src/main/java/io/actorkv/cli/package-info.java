/** The command line: {@code serve}, {@code verify-history} and the client tools' commands. The top of the layers. */
package io.actorkv.cli;
