using ClusterManager.Api.V1;
using ClusterManager.Daemon.Api;
using ClusterManager.Daemon.Options;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace ClusterManager.Daemon.Raft;

/// <summary>
/// A node started with <see cref="ClusterdOptions.Join"/> that is not in the Raft configuration yet asks the
/// cluster to add it (DotNext's announcer role): every few seconds it calls AddMember (announce) on the members of
/// its node list, which forward it to the leader. The leader accepts only a member that hactl recorded as joining
/// with the same addresses, catches it up and adds it. Stops once this node is in the configuration.
/// </summary>
internal sealed partial class JoinAnnouncer(RaftNode raft, ForwardingClients clients, IOptions<ClusterdOptions> options, TimeProvider time, ILogger<JoinAnnouncer> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Join)
        {
            return;
        }

        try
        {
            while (!raft.IsStarted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, stoppingToken).ConfigureAwait(false);
            }

            var peers = o.Nodes.Where(n => n.Name != o.NodeName).Select(n => n.ApiEndpoint).ToList();
            string? lastError = null;
            for (var attempt = 0; peers.Count > 0; attempt++)
            {
                // A node that was added before (a restart) is in its stored configuration: ready at once.
                await Task.WhenAny(raft.Readiness, Task.Delay(Interval, time, stoppingToken)).ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();
                if (raft.Readiness.IsCompleted)
                {
                    return;
                }

                var api = peers[attempt % peers.Count];
                try
                {
                    var request = new AddMemberRequest
                    {
                        Name = o.NodeName,
                        RaftEndpoint = o.Self.RaftEndpoint,
                        ApiEndpoint = o.Self.ApiEndpoint,
                        Announce = true,
                        Author = $"clusterd@{o.NodeName}",
                    };
                    var response = await clients.MembersFor(api).AddMemberAsync(request, deadline: time.GetUtcNow().UtcDateTime.AddSeconds(90), cancellationToken: stoppingToken)
                        .ConfigureAwait(false);
                    LogAdded(response.Message);
                }
                catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
                {
                    if (e.Status.Detail != lastError)
                    {
                        LogNotYet(api, e.Status.Detail);
                        lastError = e.Status.Detail;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Joined the cluster: {Message}")]
    private partial void LogAdded(string message);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Asking {Api} to add this node: {Detail} (retrying)")]
    private partial void LogNotYet(string api, string detail);
}
