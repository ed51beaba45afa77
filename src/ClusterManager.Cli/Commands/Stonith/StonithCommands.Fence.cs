using System.Globalization;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Stonith;

/// <summary><c>hactl stonith fence|confirm|history</c>: fencing on request, manual confirmation, the fence history.</summary>
internal static partial class StonithCommands
{
    private static readonly TimeSpan DefaultFenceTimeout = TimeSpan.FromSeconds(120);

    private const string FenceUsage = """
        Usage: hactl stonith fence NODE [--off] [--timeout SECONDS]

        Fences NODE now: reboots it (or powers it off with --off) through its fence devices and fencing levels, from
        another cluster node. Waits for the outcome (at most --timeout, default 120 s) and exits 0 only when the fence
        was confirmed. The outcome is recorded in the fence history (hactl stonith history).
        """;

    private static readonly CommandDefinition Fence = ClusterCommand.Define(["stonith", "fence"], "fence a node now", FenceUsage, FenceAsync);

    private const string ConfirmUsage = """
        Usage: hactl stonith confirm NODE [--yes]

        Manual fence confirmation: you assert that NODE is down (powered off, or cut off from every shared resource).
        The cluster then records it as fenced and recovers its resources elsewhere. If the node is in fact still
        running, data corruption and/or cluster failure may follow. Asks on a terminal; otherwise --yes (or pcs's
        --force) is needed. Refused while the node answers the cluster.
        """;

    private static readonly CommandDefinition Confirm = ClusterCommand.Define(["stonith", "confirm"], "confirm that a node is down (manual fencing)", ConfirmUsage, ConfirmAsync);

    private const string HistoryUsage = """
        Usage: hactl stonith history [show [NODE]] [--output json]
               hactl stonith history cleanup [NODE]
               hactl stonith history update

        The fence operations the cluster recorded (newest first): action, target, outcome, the node that ran the
        agents (delegate), who asked (client) and from where (origin), the devices, when. 'cleanup' forgets them (all,
        or NODE's). The history is replicated with the configuration, so 'update' has nothing to do.
        """;

    private static readonly CommandDefinition History = ClusterCommand.Define(["stonith", "history"], "show the fence history", HistoryUsage, HistoryShowAsync);

    private static readonly CommandDefinition HistoryShow = ClusterCommand.Define(["stonith", "history", "show"], "show the fence history", HistoryUsage, HistoryShowAsync);

    private static readonly CommandDefinition HistoryCleanup = ClusterCommand.Define(["stonith", "history", "cleanup"], "forget fence history", HistoryUsage, HistoryCleanupAsync);

    private static readonly CommandDefinition HistoryUpdate = ClusterCommand.Define(["stonith", "history", "update"], "synchronise the fence history (nothing to do)", HistoryUsage, HistoryUpdateAsync);

    private static async Task<int> FenceAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var off = call.Args.TakeFlag("--off");
        var timeoutText = call.Args.TakeOption("--timeout");
        var node = call.Args.Take("node");
        call.Args.EnsureEnd();
        var timeout = DefaultFenceTimeout;
        if (timeoutText is not null)
        {
            timeout = int.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new UsageException($"--timeout {timeoutText}: give a positive number of seconds");
        }

        // Asking the target itself would lose the answer when the fence takes it down: ask another member then.
        var status = await call.Client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        using var other = status.LocalNode == node
            && status.Members.FirstOrDefault(m => m.Name != node && m.Status != "unavailable" && m.ApiEndpoint.Length > 0) is { } member
            ? call.Live.WithAddress(member.ApiEndpoint, call.Live.Endpoint.Timeout)
            : null;
        FenceNodeResponse response;
        try
        {
            response = await (other ?? call.Live).FenceNodeAsync(node, off, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return call.Fail($"the fence of '{node}' did not finish within {timeout.TotalSeconds:0} s: its outcome is unknown (see hactl stonith history {node})");
        }

        if (!response.Success)
        {
            var by = response.ExecutedBy.Length > 0 ? $" (tried from {response.ExecutedBy})" : "";
            return call.Fail($"unable to fence '{node}'{by}: {response.Detail}");
        }

        var devices = response.Devices.Count > 0 ? $" by {string.Join(", ", response.Devices)}" : "";
        call.Out.Write($"Node: {node} fenced{devices} (from {response.ExecutedBy})\n");
        return ExitCodes.Ok;
    }

    private static async Task<int> ConfirmAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var yes = call.Args.TakeFlag("--yes", "-y");
        var force = call.Args.TakeFlag("--force");
        var node = call.Args.Take("node");
        call.Args.EnsureEnd();
        call.Error.Write($"WARNING: If node {node} is not powered off or it does have access to shared resources, data corruption and/or cluster failure may occur\n");
        if (ClusterCommand.Confirm(call.Context, $"Confirm that node {node} is down and may be treated as fenced", yes || force) is { } refused)
        {
            return refused;
        }

        await call.Client.ApplyAsync([new Change { ConfirmFenced = node }], expectedEpoch: null, cancellationToken).ConfigureAwait(false);
        call.Out.Write($"Node: {node} confirmed fenced\n");
        return ExitCodes.Ok;
    }

    private static async Task<int> HistoryShowAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var format = ClusterCommand.TakeFormat(call.Args);
        var node = call.Args.AtEnd ? null : call.Args.Take("node");
        call.Args.EnsureEnd();
        var history = await call.Live.GetFenceHistoryAsync(node, cancellationToken).ConfigureAwait(false);
        var events = history.Events.Reverse().ToList();
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
            {
                ["target"] = e.Target,
                ["action"] = e.Action,
                ["status"] = e.Succeeded ? "success" : "failed",
                ["delegate"] = e.ExecutedBy.Length > 0 ? e.ExecutedBy : null,
                ["client"] = e.Client,
                ["origin"] = e.Origin,
                ["devices"] = new JsonArray([.. e.Devices.Select(d => JsonValue.Create(d))]),
                ["completed"] = DateTimeOffset.FromUnixTimeMilliseconds(e.CompletedUnixMs).ToString("O", CultureInfo.InvariantCulture),
                ["detail"] = e.Detail,
            })]));
            return ExitCodes.Ok;
        }

        if (events.Count == 0)
        {
            call.Out.Write(node is null ? "No fence events recorded\n" : $"No fence events recorded for {node}\n");
            return ExitCodes.Ok;
        }

        var zone = call.Context.Time.LocalTimeZone;
        foreach (var e in events)
        {
            call.Out.Write(DescribeFence(e, zone) + "\n");
        }

        return ExitCodes.Ok;
    }

    /// <summary>One event as <c>stonith_admin --history</c> writes it, with the devices.</summary>
    internal static string DescribeFence(FenceHistoryEntry e, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(e);
        var when = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(e.CompletedUnixMs), zone)
            .ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture);
        var devices = e.Devices.Count > 0 ? $", device={string.Join(',', e.Devices)}" : "";
        var line = $"{e.Action} of {e.Target} {(e.Succeeded ? "successful" : "failed")}: delegate={(e.ExecutedBy.Length > 0 ? e.ExecutedBy : "none")}, "
                   + $"client={e.Client}, origin={e.Origin}{devices}, {(e.Succeeded ? "completed" : "last-failed")}='{when}'";
        return e.Succeeded || e.Detail.Length == 0 ? line : $"{line} ({e.Detail})";
    }

    private static async Task<int> HistoryCleanupAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var node = call.Args.AtEnd ? null : call.Args.Take("node");
        call.Args.EnsureEnd();
        var cleanup = new FenceHistoryCleanup();
        if (node is not null)
        {
            cleanup.Node = node;
        }

        await call.Client.ApplyAsync([new Change { ClearFenceHistory = cleanup }], expectedEpoch: null, cancellationToken).ConfigureAwait(false);
        call.Out.Write($"cleaning up fencing-history for node {node ?? "*"}\n");
        return ExitCodes.Ok;
    }

    private static Task<int> HistoryUpdateAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.Args.EnsureEnd();
        call.Out.Write("The fence history is replicated to every node; nothing to update\n");
        return Task.FromResult(ExitCodes.Ok);
    }
}
