using System.Diagnostics;

namespace ClusterManager.Vrrp.Tests.Interop;

/// <summary>Polling waits for the namespace tests: generous limits on waits, never on measurements.</summary>
internal static class Waits
{
    /// <summary>How long a wait may take on a loaded 2-core host before the test fails.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> every 20 ms; fails the test after <see cref="Generous"/>.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(Generous), $"timed out waiting: {what}");
            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// Waits until a peer's log shows <paramref name="text"/>: a peer acts (a VIP appears) before its log line reaches
    /// the test's reader of its output, so a log read right after a change may not show it yet.
    /// </summary>
    public static void LogShows(Func<string> log, string text) =>
        Until(() => log().Contains(text, StringComparison.Ordinal), $"log shows '{text}'");

    /// <summary>Fails the test if <paramref name="condition"/> is ever false during <paramref name="duration"/>.</summary>
    public static void StaysFor(TimeSpan duration, Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Assert.That(condition(), Is.True, what);
            Thread.Sleep(50);
        }
    }
}
