using System.Net;

namespace ClusterManager.Daemon.Raft;

/// <summary>
/// Publishes a leader event when this node's view of (leader, quorum) changes. DotNext raises no event when a leader
/// loses its majority (its leadership token is cancelled but <c>LeaderChanged</c> stays silent, trap G1), so the
/// view is sampled every 100 ms.
/// </summary>
internal sealed partial class QuorumMonitor(RaftNode node, ILogger<QuorumMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        (EndPoint? Leader, bool Quorum) last = (null, false);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!node.IsStarted)
            {
                continue;
            }

            var now = (node.Leader, node.HasQuorum);
            if (Equals(now.Leader, last.Leader) && now.HasQuorum == last.Quorum)
            {
                continue;
            }

            if (now.HasQuorum != last.Quorum)
            {
                LogQuorum(now.HasQuorum ? "gained" : "lost", now.Leader?.ToString() ?? "none");
            }

            last = (now.Leader, now.HasQuorum);
            node.Events.Publish(StateEventKind.Leader);
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Quorum {Change} (leader {Leader})")]
    private partial void LogQuorum(string change, string leader);
}
