using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace ClusterManager.Daemon.Raft;

/// <summary>
/// Stops the process when the write-ahead log is broken. DotNext 6.12 can leave a follower's WAL permanently
/// failed after a snapshot install under load (defect B1) while the node still looks like a healthy follower; a
/// node in that state must not keep serving stale state. The log reports it by faulting
/// <c>WaitForApplyAsync(0)</c>; the watchdog then exits with code 75 so systemd (Restart=always) restarts it, which
/// recovers the node (it re-installs a snapshot).
/// </summary>
internal sealed partial class WalWatchdog(RaftNode node, IHostApplicationLifetime lifetime, ILogger<WalWatchdog> logger) : BackgroundService
{
    public const int ExitCode = 75;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (node.Wal is not { } wal)
            {
                continue;
            }

            try
            {
                await wal.WaitForApplyAsync(0, stoppingToken).ConfigureAwait(false);
            }
            catch (WriteAheadLog.InternalException ex)
            {
                LogBroken(ex);
                Environment.ExitCode = ExitCode;
                lifetime.StopApplication();
                return;
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Critical, Message = "The write-ahead log is broken; stopping so the service manager restarts this node")]
    private partial void LogBroken(Exception exception);
}
