using ClusterManager.Api.V1;
using ClusterManager.Daemon.Api;
using Grpc.Core;

namespace ClusterManager.Daemon.Raft;

/// <summary>
/// On the leader, asks every follower for its applied index each second (through the API); when one is stuck
/// (<see cref="FollowerProgress"/>), the leader resigns: restarting or resigning the leader is what clears
/// DotNext's defect B2, and another node then leads. A follower that does not answer is down, not stuck: Raft
/// handles that. Needs peer credentials: with token-only authentication (no TLS) it stays off.
/// </summary>
internal sealed partial class StuckFollowerMonitor(
    RaftNode node, ForwardingClients clients, Security.ApiCredentials credentials, Security.NodeSecurity security, TimeProvider time, ILogger<StuckFollowerMonitor> logger)
    : BackgroundService
{
    private static readonly TimeSpan StuckWindow = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (credentials.Required && security.Tls is null)
        {
            LogDisabled();
            return;
        }

        var progress = new FollowerProgress(StuckWindow);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!node.IsLeader)
            {
                progress.Reset();
                continue;
            }

            foreach (var member in node.Members().Where(m => !m.IsLocal && m.ApiEndPoint.Length > 0))
            {
                GetStatusResponse status;
                try
                {
                    status = await clients.For(member.ApiEndPoint).GetStatusAsync(
                        new GetStatusRequest(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(1), cancellationToken: stoppingToken).ConfigureAwait(false);
                }
                catch (RpcException)
                {
                    continue;
                }

                if (progress.Observe(member.Name, status.AppliedIndex, node.State.Index, time.GetUtcNow()))
                {
                    LogStuck(member.Name, status.AppliedIndex, node.State.Index, StuckWindow.TotalSeconds);
                    await node.StepDownAsync(TimeSpan.FromMilliseconds(10 * node.Options.UpperElectionTimeoutMs), stoppingToken).ConfigureAwait(false);
                    progress.Reset();
                    break;
                }
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Follower {Follower} is stuck at index {FollowerIndex} (leader at {LeaderIndex}) for {Seconds} s; resigning leadership")]
    private partial void LogStuck(string follower, long followerIndex, long leaderIndex, double seconds);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Stuck-follower detection is off: the API requires tokens but nodes have no TLS certificate to authenticate each other")]
    private partial void LogDisabled();
}
