using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ClusterManager.Daemon.Raft;

/// <summary>What changed: the store (a batch was applied) or the leader/quorum view.</summary>
public enum StateEventKind
{
    Store,
    Leader,
}

/// <summary>
/// Fan-out of change notifications to watchers. Publishing never blocks (the Raft apply loop publishes): each
/// watcher has a small channel that drops its oldest notification when full, so a slow watcher sees the latest
/// state but not every intermediate one.
/// </summary>
public sealed class StateEvents
{
    private readonly ConcurrentDictionary<Channel<StateEventKind>, byte> _watchers = new();

    public void Publish(StateEventKind kind)
    {
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryWrite(kind);
        }
    }

    /// <summary>Notifications until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<StateEventKind> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<StateEventKind>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        _watchers.TryAdd(channel, 0);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var kind))
                {
                    yield return kind;
                }
            }
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }
}
