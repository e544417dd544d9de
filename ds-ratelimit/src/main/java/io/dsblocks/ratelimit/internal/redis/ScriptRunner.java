package io.dsblocks.ratelimit.internal.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Runs one {@link LuaScript} with {@code EVALSHA} (the script body is not resent: one small
 * command, one round trip) and falls back to {@code EVAL} when the server answers {@code NOSCRIPT}
 * (its script cache was emptied, e.g. by a restart or {@code SCRIPT FLUSH}). {@code EVAL} both runs
 * and caches the script, so only the first call after a flush costs a second round trip. There is
 * deliberately no {@code WATCH}/retry loop: the script itself is atomic on the server.
 *
 * <p>Thread-safe: Lettuce connections are thread-safe and this class has no mutable state besides
 * the reload callback, which is fixed at construction.
 */
public final class ScriptRunner {

  private final RedisAsyncCommands<String, String> commands;
  private final LuaScript script;
  private final Runnable onReload;

  /**
   * Creates a runner.
   *
   * @param commands the asynchronous command API of a connection
   * @param script the script to run
   * @param onReload called each time the script had to be re-sent after {@code NOSCRIPT}
   */
  public ScriptRunner(
      RedisAsyncCommands<String, String> commands, LuaScript script, Runnable onReload) {
    this.commands = commands;
    this.script = script;
    this.onReload = onReload;
  }

  /**
   * Runs the script for one key.
   *
   * @param keys {@code KEYS} (one key)
   * @param args {@code ARGV}
   * @return the future reply, a list of {@code Long}
   */
  public CompletableFuture<List<Object>> run(String[] keys, String[] args) {
    CompletableFuture<List<Object>> first =
        commands
            .<List<Object>>evalsha(script.sha1(), ScriptOutputType.MULTI, keys, args)
            .toCompletableFuture();
    CompletableFuture<List<Object>> result =
        first.exceptionallyCompose(
            error -> {
              if (unwrap(error) instanceof RedisNoScriptException) {
                onReload.run();
                return commands
                    .<List<Object>>eval(script.text(), ScriptOutputType.MULTI, keys, args)
                    .toCompletableFuture();
              }
              return CompletableFuture.failedFuture(unwrap(error));
            });
    // A caller that gives up (timeout, cancel) cancels the command too: Lettuce then never sends
    // it if it is still queued (for example while reconnecting), so no stale decision consumes
    // permits after Redis is back.
    result.whenComplete(
        (reply, error) -> {
          if (error != null) {
            first.cancel(false);
          }
        });
    return result;
  }

  /**
   * Strips the {@link CompletionException}/{@link ExecutionException} wrappers futures add.
   *
   * @param error a failure
   * @return the underlying cause
   */
  public static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
