namespace ClusterManager.Agents.Ocf;

/// <summary>Where OCF agents live and what environment they get.</summary>
public sealed class OcfOptions
{
    /// <summary><c>OCF_ROOT</c>; agents are <c>{OcfRoot}/resource.d/PROVIDER/TYPE</c>.</summary>
    public string OcfRoot { get; set; } = "/usr/lib/ocf";

    /// <summary><c>HA_RSCTMP</c>, the agents' runtime state directory (Debian creates it at boot).</summary>
    public string ResourceTempDirectory { get; set; } = "/run/resource-agents";

    /// <summary>A private directory for the files that capture agent output.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "clustermanager-agents");

    /// <summary>The node's name, passed as <c>OCF_RESKEY_CRM_meta_on_node</c> when set.</summary>
    public string? NodeName { get; set; }

    /// <summary>The feature set passed as <c>OCF_RESKEY_crm_feature_set</c> (Pacemaker 2.1.5's).</summary>
    public string FeatureSet { get; set; } = "3.16.2";
}
