using ClusterManager.Fencing.Agents;
using ClusterManager.Fencing.Lab;
using ClusterManager.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Fencing.Tests;

/// <summary>Builds a fencer that runs real agents: Debian's from /usr/sbin and ours from fencing-agents/.</summary>
internal static class LabFencer
{
    public static readonly FenceAgentRunnerOptions RunnerOptions =
        new() { AgentDirectories = ["/usr/sbin", Shell.FencingAgentsDirectory()] };

    public static Fencer Create(params FenceDevice[] devices) => Create(devices, []);

    public static Fencer Create(FenceDevice[] devices, Model.Configuration.FencingLevel[] levels)
    {
        var runner = new ProcessFenceAgentRunner(RunnerOptions, TimeProvider.System, NullLogger<ProcessFenceAgentRunner>.Instance);
        var configuration = FencingConfiguration.Empty with { Devices = [.. devices], Levels = [.. levels] };
        return new Fencer(configuration, runner, new FencerOptions(), TimeProvider.System, NullLogger<Fencer>.Instance);
    }

    public static FenceDevice Device(string id, string agent, params (string Name, string Value)[] parameters) =>
        FenceDevice.Create(new ResourceId(id), agent, parameters.ToDictionary(p => p.Name, p => p.Value));

    /// <summary>A device for one lab BMC; fence_ipmilan gets the settings the reference found fast and safe.</summary>
    public static FenceDevice Ipmi(string id, string agent, LabBmc bmc, params (string Name, string Value)[] extra)
    {
        var parameters = new List<(string, string)>
        {
            ("ip", bmc.Address), ("ipport", bmc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("username", bmc.User), ("password", bmc.Password), ("pcmk_host_list", bmc.Node),
        };
        if (agent == "fence_ipmilan")
        {
            parameters.AddRange([("lanplus", "1"), ("cipher", "3"), ("power_wait", "0")]);
        }

        foreach (var (name, value) in extra)
        {
            parameters.RemoveAll(p => p.Item1 == name);
            parameters.Add((name, value));
        }

        return Device(id, agent, [.. parameters]);
    }
}
