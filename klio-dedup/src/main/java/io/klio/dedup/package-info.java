/**
 * Content-defined chunking (FastCDC), chunk ids, pack files and their indexes, the chunk repository
 * over the storage SPI, and compression codecs. Work on this module arrives with its own issue.
 */
package io.klio.dedup;
