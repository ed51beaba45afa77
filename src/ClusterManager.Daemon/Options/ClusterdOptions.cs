using System.Net;

namespace ClusterManager.Daemon.Options;

/// <summary>One cluster member as the static node list names it (corosync's <c>nodelist</c>).</summary>
public sealed class NodeAddress
{
    public string Name { get; set; } = "";

    /// <summary>Raft transport endpoint, <c>IP:port</c> (an IP address, never a host name: no DNS lookups).</summary>
    public string RaftEndpoint { get; set; } = "";

    /// <summary>gRPC API endpoint, <c>IP:port</c>; followers forward writes to the leader's.</summary>
    public string ApiEndpoint { get; set; } = "";

    /// <summary>
    /// A witness votes for quorum and may lead, but runs no resources and no fence agents and is not a node of the
    /// policy engine (the corosync-qdevice role, for two-node clusters).
    /// </summary>
    public bool Witness { get; set; }
}

/// <summary>
/// TLS with a cluster CA (the role of corosync's authkey and pcsd's certificates). When <see cref="CertificateFile"/>
/// is set, Raft traffic and the API use TLS with this node's certificate, peers and clients must present a
/// certificate issued by the CA in <see cref="CaFile"/> (Raft) or that certificate or a valid token (API).
/// </summary>
public sealed class SecurityOptions
{
    /// <summary>PEM file of the cluster CA certificate: the only issuer trusted for peers and client certificates.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM file of this node's certificate (issued by the cluster CA).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM file of this node's private key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// File of accepted API tokens, stored as lowercase hex SHA-256 hashes, one per line (<c>user:hash</c> or
    /// <c>hash</c>; '#' starts a comment). A caller presents <c>authorization: Bearer TOKEN</c>. Tokens themselves
    /// are never stored or logged.
    /// </summary>
    public string? TokenHashesFile { get; set; }

    public bool TlsEnabled => !string.IsNullOrWhiteSpace(CertificateFile);
}

/// <summary>How this node runs resources and fence agents (the executor's and fencer's settings).</summary>
public sealed class ResourceOptions
{
    /// <summary>
    /// A reboot fence is confirmed once the node is verified off (the power-on follows): recovery starts about 0.35 s
    /// earlier through an IPMI BMC. False waits for the whole reboot, as Pacemaker does.
    /// </summary>
    public bool ConfirmRebootAtOff { get; set; } = true;

    /// <summary><c>OCF_ROOT</c>: agents are <c>{OcfRoot}/resource.d/PROVIDER/TYPE</c>.</summary>
    public string OcfRoot { get; set; } = "/usr/lib/ocf";

    /// <summary><c>HA_RSCTMP</c>, the agents' runtime state directory.</summary>
    public string ResourceTempDirectory { get; set; } = "/run/resource-agents";

    /// <summary>The D-Bus system bus of the systemd that runs <c>systemd:</c> resources (empty: the standard socket).</summary>
    public string? SystemdBusAddress { get; set; }

    /// <summary>Where fence agents are looked up, in order.</summary>
    public List<string> FenceAgentDirectories { get; set; } = ["/usr/sbin", "/usr/lib/clustermanager/fencing-agents"];

    /// <summary>Operations running at once on this node (different resources; one at a time per resource).</summary>
    public int MaxParallelOperations { get; set; } = 8;

    /// <summary>
    /// Without fencing, how long the leader waits after a node became unreachable before it recovers that node's
    /// resources elsewhere: the partitioned node must have stopped them first (it does so once it has been without
    /// quorum for <see cref="QuorumLossGraceMs"/>). Not used when fencing is enabled: the fence is the proof.
    /// </summary>
    public int NodeLossDelayMs { get; set; } = 1500;

    /// <summary>How long a node waits without quorum before it applies no-quorum-policy to its own resources.</summary>
    public int QuorumLossGraceMs { get; set; } = 0;

    /// <summary>Engine inputs kept on the leader for <c>hactl simulate --replay</c> (oldest deleted first).</summary>
    public int KeptEngineInputs { get; set; } = 500;
}

/// <summary>
/// clusterd's options (section <c>Clusterd</c> of the JSON configuration file, overridable on the command line as
/// <c>--Clusterd:NodeName=n1</c> or by environment variables <c>CLUSTERD_Clusterd__NodeName</c>). Validated at
/// start-up by <see cref="ClusterdOptionsValidator"/>. Timeouts are in milliseconds.
/// </summary>
public sealed class ClusterdOptions
{
    public const string Section = "Clusterd";

    /// <summary>This node's name; must appear in <see cref="Nodes"/>.</summary>
    public string NodeName { get; set; } = "";

    /// <summary>The initial members. Written to the Raft membership store on first start only (static bootstrap).</summary>
    public List<NodeAddress> Nodes { get; set; } = [];

    /// <summary>
    /// This node joins a running cluster (<c>hactl cluster node add</c>): the node list is not bootstrapped into an
    /// empty membership store, so the node waits until the leader adds it (and asks for that itself) instead of
    /// forming a membership of its own. Once it has been added, the stored membership is used as on any node.
    /// </summary>
    public bool Join { get; set; }

    /// <summary>Write-ahead log, snapshots and membership live under this directory.</summary>
    public string DataDirectory { get; set; } = "/var/lib/clustermanager";

    /// <summary>
    /// Lower bound of the randomised election timeout: a lost leader is detected after about this long. 200..400 ms
    /// (heartbeats every 100 ms) gives a new leader 450 ms (median) after kill -9 of the old one on a loaded 2-core
    /// machine; 300..600 gave 640 ms (bench cluster --only failover, 20 runs each).
    /// </summary>
    public int LowerElectionTimeoutMs { get; set; } = 200;

    /// <summary>Upper bound of the randomised election timeout.</summary>
    public int UpperElectionTimeoutMs { get; set; } = 400;

    /// <summary>
    /// Timeout of every Raft RPC, and how long a leader cut off from its peers keeps leading. It must also exceed the
    /// time to install a snapshot on a follower (defect B2 of DotNext 6.12), which the small store keeps in milliseconds.
    /// </summary>
    public int RequestTimeoutMs { get; set; } = 300;

    public int ConnectTimeoutMs { get; set; } = 150;

    /// <summary>Heartbeat period as a fraction of <see cref="LowerElectionTimeoutMs"/>.</summary>
    public double HeartbeatThreshold { get; set; } = 0.5;

    /// <summary>A snapshot of the store is taken every this many applied entries (the log is compacted up to it).</summary>
    public int SnapshotInterval { get; set; } = 10_000;

    /// <summary>How long a write may wait for its commit before it fails (outcome unknown: retry with the same request id).</summary>
    public int WriteTimeoutMs { get; set; } = 5000;

    /// <summary>WAL chunk file size in bytes (DotNext's default, the page size, creates thousands of files).</summary>
    public int WalChunkSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Directory of the log files; the console always gets the log too.</summary>
    public string? LogDirectory { get; set; }

    /// <summary>Log level of the console and file targets (Trace, Debug, Info, Warn, Error).</summary>
    public string LogLevel { get; set; } = "Info";

    /// <summary>TLS between nodes and for the API, and API authentication. Off when no certificate is configured.</summary>
    public SecurityOptions Security { get; set; } = new();

    /// <summary>The executor and fencer of this node.</summary>
    public ResourceOptions Resources { get; set; } = new();

    internal NodeAddress Self => Nodes.Single(n => n.Name == NodeName);

    internal static IPEndPoint ParseEndPoint(string value) => IPEndPoint.Parse(value);
}
