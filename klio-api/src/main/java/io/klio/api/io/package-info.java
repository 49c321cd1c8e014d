/** Small stream helpers shared by the modules. */
package io.klio.api.io;
