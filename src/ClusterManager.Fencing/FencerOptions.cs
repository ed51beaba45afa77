namespace ClusterManager.Fencing;

/// <summary>Fencer tunables; the defaults are Pacemaker's.</summary>
public sealed class FencerOptions
{
    /// <summary>Pause before a retry of a failed agent run (Pacemaker: 1 s).</summary>
    public TimeSpan RetryPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A failed run is retried only while less than this share of the action's timeout is used (0.7).</summary>
    public double RetryBudget { get; init; } = 0.7;

    /// <summary>How long the targets from an agent's <c>list</c> stay valid (Pacemaker: 60 s).</summary>
    public TimeSpan DynamicListCacheTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A reboot through devices whose agents have both <c>off</c> and <c>on</c> runs as off, then on, and is confirmed
    /// as soon as every off succeeded; the on runs afterwards and its failure is only logged (the node is off: that
    /// is the proof). Pacemaker waits for the whole reboot (false, the default here); clusterd turns it on, which
    /// takes the power-on (about 0.35 s through an IPMI BMC) out of the time to recovery.
    /// </summary>
    public bool ConfirmRebootAtOff { get; init; }

    /// <summary>Timeout of the <c>metadata</c> action.</summary>
    public TimeSpan MetadataTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
