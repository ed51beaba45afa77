using System.Globalization;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster config</c> (pcs cluster config): the cluster's name, its members with their Raft and API
/// addresses and roles, the quorum they make, and this node's Raft timing options (corosync.conf's totem section in
/// pcs's output). The members come from the cluster (the leader's view when it answers), the options from this
/// node's clusterd.json.
/// </summary>
internal static class ClusterConfigCommand
{
    private const string Usage = """
        Usage: hactl cluster config [--output text|json]

        Shows the cluster's name (property cluster-name), its members (Raft and API addresses, voter or witness,
        state), the quorum (votes and the majority needed) and this node's Raft options from clusterd.json
        (election timeout, heartbeat, request timeout, snapshot interval, write timeout). With -f FILE: the name
        and the nodes of the CIB file.
        """;

    public static readonly CommandDefinition Definition = ClusterCommand.Define(
        ["cluster", "config"], "show the cluster's name, members, quorum and Raft options", Usage, RunAsync);

    private static async Task<int> RunAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var json = ClusterCommand.TakeFormat(call.Args) == OutputFormat.Json;
        call.Args.EnsureEnd();
        var state = await call.Client.ReadStateAsync(includeStatus: false, cancellationToken).ConfigureAwait(false);
        var name = state.Snapshot.Configuration.Properties.SelectMany(s => s.Pairs).LastOrDefault(p => p.Name == "cluster-name")?.Value;
        var members = call.Client is ClusterClient live
            ? [.. (await live.ListMembersAsync(cancellationToken).ConfigureAwait(false)).Members.Where(m => m.State != "removed")]
            : state.Snapshot.Configuration.Nodes.Select(n => new ClusterMember { Name = n.Name.Value, State = "member", Voting = true }).ToList();
        var local = call.Client is ClusterClient ? ClusterdConfig.TryLoad(call.Context.Host.ClusterdConfigFile) : null;
        var voters = members.Count(m => m.Voting);
        if (json)
        {
            var nodes = new JsonArray();
            foreach (var m in members.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                nodes.Add(new JsonObject
                {
                    ["name"] = m.Name, ["raft"] = m.RaftEndpoint, ["api"] = m.ApiEndpoint, ["witness"] = m.Witness, ["state"] = m.State, ["voting"] = m.Voting,
                });
            }

            var options = local is null ? null : new JsonObject(local.RaftOptions.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)JsonValue.Create(o.Value))));
            ClusterCommand.WriteJson(call.Out, new JsonObject
            {
                ["cluster_name"] = name,
                ["nodes"] = nodes,
                ["quorum"] = new JsonObject { ["votes"] = voters, ["needed"] = voters / 2 + 1 },
                ["raft_options"] = options,
                ["raft_options_file"] = local is null ? null : call.Context.Host.ClusterdConfigFile,
            });
            return ExitCodes.Ok;
        }

        var o = call.Out;
        o.Write($"Cluster Name: {name ?? "(not set: hactl property set cluster-name=NAME)"}\n");
        if (call.Client is ClusterClient)
        {
            o.Write($"Transport: Raft over TCP{(local?.TlsEnabled == true ? " with TLS" : "")}\n");
        }

        o.Write("Nodes:\n");
        foreach (var m in members.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            o.Write($"  {m.Name}:\n");
            if (m.RaftEndpoint.Length > 0)
            {
                o.Write($"    Raft address: {m.RaftEndpoint}\n");
            }

            if (m.ApiEndpoint.Length > 0)
            {
                o.Write($"    API address: {m.ApiEndpoint}\n");
            }

            o.Write($"    role: {(m.Witness ? "witness (votes, runs no resources)" : "node")}{(m.State is "member" or "" ? "" : $", {m.State}")}\n");
        }

        o.Write("Quorum Options:\n");
        o.Write($"  votes: {voters} (quorum: {voters / 2 + 1})\n");
        if (local is not null)
        {
            var r = local.RaftOptions;
            o.Write($"Raft Options ({call.Context.Host.ClusterdConfigFile}):\n");
            o.Write($"  election timeout: {Ms(r["LowerElectionTimeoutMs"])}-{Ms(r["UpperElectionTimeoutMs"])} ms\n");
            o.Write($"  heartbeat: every {Ms(r["LowerElectionTimeoutMs"] * r["HeartbeatThreshold"])} ms\n");
            o.Write($"  request timeout: {Ms(r["RequestTimeoutMs"])} ms\n");
            o.Write($"  connect timeout: {Ms(r["ConnectTimeoutMs"])} ms\n");
            o.Write($"  snapshot interval: {Ms(r["SnapshotInterval"])} entries\n");
            o.Write($"  write timeout: {Ms(r["WriteTimeoutMs"])} ms\n");
        }

        return ExitCodes.Ok;
    }

    private static string Ms(double value) => Math.Round(value).ToString(CultureInfo.InvariantCulture);
}
