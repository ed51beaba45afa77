using ClusterManager.Cli.Commands.Resources;
using ClusterManager.Cli.Commands.Status;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cli.Commands.Stonith;

/// <summary>
/// <c>hactl stonith ...</c>: fence devices are primitives of class stonith, so these share the resource commands;
/// plus the fencing topology (levels).
/// </summary>
internal static partial class StonithCommands
{
    /// <summary>Every stonith command.</summary>
    public static IEnumerable<CommandDefinition> All =>
    [
        Bare, Status, Create, Update, Delete, Remove, Config, Enable, Disable, Cleanup, Refresh,
        Level, LevelConfig, LevelAdd, LevelDelete, LevelRemove, LevelClear, LevelVerify,
        Fence, Confirm, History, HistoryShow, HistoryCleanup, HistoryUpdate,
    ];

    private const string StatusUsage = """
        Usage: hactl stonith [status [STONITH_ID] [node=NODE] [--hide-inactive]] [--output json]

        The fence devices and where they run, and the fencing levels ("NO stonith devices configured" when none).
        """;

    private static readonly CommandDefinition Bare = ClusterCommand.Bare("stonith", "show fence devices (= stonith status)", StatusUsage, (c, ct) => StatusCommands.ResourcesAsync(c, stonith: true, ct));

    private static readonly CommandDefinition Status = ClusterCommand.Define(["stonith", "status"], "show fence devices and where they run", StatusUsage, (c, ct) => StatusCommands.ResourcesAsync(c, stonith: true, ct));

    private const string CreateUsage = """
        Usage: hactl stonith create STONITH_ID STONITH_DEVICE_TYPE [NAME=VALUE ...] [op ACTION NAME=VALUE ...]...
                   [meta NAME=VALUE ...] [--group GROUP_ID [--before ID | --after ID]] [--disabled] [--force]

        Creates a fence device: a primitive of class stonith, e.g.
        hactl stonith create fence_n1 fence_virsh ip=198.18.0.10 username=root pcmk_host_list=n1
        Options are checked against the fence agent's meta-data when the agent is installed here (pcmk_* options
        are the fencer's and always allowed), unless --force. A monitor (interval=60s) is added unless given.
        """;

    private static readonly CommandDefinition Create = ClusterCommand.Define(["stonith", "create"], "create a fence device", CreateUsage, (c, ct) => ResourceCommands.CreateAsync(c, stonith: true, ct));

    private const string UpdateUsage = """
        Usage: hactl stonith update STONITH_ID [NAME=VALUE ...] [op ACTION NAME=VALUE ...]... [meta NAME=VALUE ...] [--force]

        Changes a fence device's options (NAME= removes one), operations or meta attributes.
        """;

    private static readonly CommandDefinition Update = ClusterCommand.Define(["stonith", "update"], "change a fence device", UpdateUsage, (c, ct) => ResourceCommands.UpdateAsync(c, stonith: true, ct));

    private const string DeleteUsage = """
        Usage: hactl stonith delete|remove STONITH_ID [--yes]

        Deletes a fence device and the constraints that name it. Asks on a terminal; otherwise --yes is needed.
        """;

    private static readonly CommandDefinition Delete = ClusterCommand.Define(["stonith", "delete"], "delete a fence device", DeleteUsage, (c, ct) => ResourceCommands.DeleteAsync(c, stonith: true, ct));

    private static readonly CommandDefinition Remove = ClusterCommand.Define(["stonith", "remove"], "delete a fence device (= stonith delete)", DeleteUsage, (c, ct) => ResourceCommands.DeleteAsync(c, stonith: true, ct));

    private const string ConfigUsage = """
        Usage: hactl stonith config [STONITH_ID...] [--output json]

        The configuration of fence devices, and the fencing levels.
        """;

    private static readonly CommandDefinition Config = ClusterCommand.Define(["stonith", "config"], "show the configuration of fence devices", ConfigUsage, (c, ct) => ResourceCommands.ConfigAsync(c, stonith: true, ct));

    private static readonly CommandDefinition Enable = ClusterCommand.Define(["stonith", "enable"], "allow fence devices to start", """
        Usage: hactl stonith enable STONITH_ID...
        """, (c, ct) => ResourceCommands.SetEnabledAsync(c, true, ct));

    private static readonly CommandDefinition Disable = ClusterCommand.Define(["stonith", "disable"], "stop fence devices", """
        Usage: hactl stonith disable STONITH_ID...
        """, (c, ct) => ResourceCommands.SetEnabledAsync(c, false, ct));

    private static readonly CommandDefinition Cleanup = ClusterCommand.Define(["stonith", "cleanup"], "forget failed operations of fence devices", """
        Usage: hactl stonith cleanup [STONITH_ID] [node=NODE]
        """, (c, ct) => ResourceCommands.CleanupAsync(c, refresh: false, ct));

    private static readonly CommandDefinition Refresh = ClusterCommand.Define(["stonith", "refresh"], "forget the history of fence devices", """
        Usage: hactl stonith refresh [STONITH_ID] [node=NODE]
        """, (c, ct) => ResourceCommands.CleanupAsync(c, refresh: true, ct));

    /// <summary>pcs's fencing level listing (nothing when there are no levels).</summary>
    public static void WriteLevels(TextWriter writer, ClusterConfiguration configuration, string indent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.FencingTopology.IsEmpty)
        {
            return;
        }

        writer.Write($"{indent}Fencing Levels:\n");
        foreach (var target in configuration.FencingTopology.GroupBy(Target))
        {
            writer.Write($"{indent}  Target: {target.Key}\n");
            foreach (var level in target.OrderBy(l => l.Index))
            {
                writer.Write($"{indent}    Level {level.Index} - {string.Join(',', level.Devices.Select(d => d.Value))}\n");
            }
        }
    }

    private static string Target(FencingLevel level) =>
        level.Target?.Value ?? (level.TargetPattern is { } p ? $"regexp%{p}" : $"attrib%{level.TargetAttribute}={level.TargetValue}");
}
