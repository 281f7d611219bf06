/** Command line and node-wide settings; everything else lives in sub-packages. */
package io.actorkv;
