package io.actorkv.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One revision of a strong key as its history shows it. {@code operation}
 * is put, delete, expire, increment or revert; the fields that do not apply
 * to it are null. A value shows as its size and SHA-256 (hex), never its
 * bytes; {@code hash} is the event's link of the key's hash chain (null for
 * events written before 0.2).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Change(long revision, String operation, String principal, Instant time, String contentType,
                     Integer size, String sha256, Instant expires, Long by, Long from, String hash) {}
