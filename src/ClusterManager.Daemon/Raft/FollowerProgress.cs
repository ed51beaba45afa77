namespace ClusterManager.Daemon.Raft;

/// <summary>
/// Decides whether a follower is stuck (DotNext 6.12 defect B2: after an InstallSnapshot slower than RequestTimeout
/// the leader walks the follower's next index back one entry per heartbeat, and the follower, alive and answering,
/// applies nothing for minutes). A follower is stuck when it has been behind the leader's applied index and has not
/// advanced for at least <see cref="Window"/>. Pure: fed with samples, no clock of its own.
/// </summary>
public sealed class FollowerProgress(TimeSpan window)
{
    private readonly Dictionary<string, (long Applied, DateTimeOffset Since)> _last = new(StringComparer.Ordinal);

    public TimeSpan Window { get; } = window;

    /// <summary>
    /// Records that <paramref name="follower"/> had applied <paramref name="followerApplied"/> at <paramref name="now"/>
    /// while the leader had applied <paramref name="leaderApplied"/>; returns true when the follower is stuck.
    /// </summary>
    public bool Observe(string follower, long followerApplied, long leaderApplied, DateTimeOffset now)
    {
        if (followerApplied >= leaderApplied)
        {
            _last.Remove(follower);
            return false;
        }

        if (!_last.TryGetValue(follower, out var last) || last.Applied != followerApplied)
        {
            _last[follower] = (followerApplied, now);
            return false;
        }

        return now - last.Since >= Window;
    }

    /// <summary>Forgets every follower (after a leadership change: the next leader starts over).</summary>
    public void Reset() => _last.Clear();
}
