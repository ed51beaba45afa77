namespace ClusterManager.Fencing;

/// <summary>What a fence request asks for (Pacemaker's <c>stonith_admin -B/-F/-U</c>).</summary>
public enum FenceAction
{
    /// <summary>Power off (verified), then on. The cluster's default (<c>stonith-action=reboot</c>).</summary>
    Reboot,

    /// <summary>Power off (verified) and leave it off.</summary>
    Off,

    /// <summary>Unfence: power on.</summary>
    On,
}

/// <summary>The action names of the fence-agent standard.</summary>
public static class AgentActions
{
    public const string Off = "off";
    public const string On = "on";
    public const string Reboot = "reboot";
    public const string Status = "status";
    public const string Monitor = "monitor";
    public const string List = "list";
    public const string ListStatus = "list-status";
    public const string Metadata = "metadata";
    public const string ValidateAll = "validate-all";

    /// <summary>The agent action name for a fence request.</summary>
    public static string For(FenceAction action) => action switch
    {
        FenceAction.Reboot => Reboot,
        FenceAction.Off => Off,
        FenceAction.On => On,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown fence action"),
    };
}
