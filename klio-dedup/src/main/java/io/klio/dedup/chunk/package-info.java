/**
 * Chunkers, found by their stored description: {@code fastcdc(min=…,avg=…,max=…)} (content-defined)
 * and {@code fixed(size=…)}.
 */
package io.klio.dedup.chunk;
