using System.Diagnostics;
using System.Globalization;
using ClusterManager.Fencing;
using ClusterManager.Fencing.Agents;
using ClusterManager.Fencing.Lab;
using ClusterManager.Model;
using Microsoft.Extensions.Logging.Abstractions;

// Time to fence a node (off confirmed; reboot confirmed) through each adapter against real targets:
// ipmi_sim BMCs in a test network namespace and libvirt's test driver under an unprivileged libvirtd.
// Usage: dotnet run -c Release --project tests/ClusterManager.Fencing.Benchmarks [runs]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
using var ipmi = IpmiLab.Start(1);
using var virt = VirshLab.Start(1);
using var sshNetwork = NetworkNamespace.Create();
using var ssh = SshServer.Start(sshNetwork);
var bmc = ipmi.Bmc("node1");
var runner = new ProcessFenceAgentRunner(
    new FenceAgentRunnerOptions { AgentDirectories = ["/usr/sbin", Shell.FencingAgentsDirectory()] },
    TimeProvider.System, NullLogger<ProcessFenceAgentRunner>.Instance);

FenceDevice Device(string agent, params (string Name, string Value)[] parameters) =>
    FenceDevice.Create(new ResourceId("bench"), agent, parameters.ToDictionary(p => p.Name, p => p.Value));

(string Name, string Value)[] Bmc(params (string, string)[] extra) =>
[
    ("ip", bmc.Address), ("ipport", bmc.Port.ToString(CultureInfo.InvariantCulture)), ("username", bmc.User),
    ("password", bmc.Password), ("pcmk_host_list", "node1"), .. extra,
];

var cases = new (string Name, FenceDevice Device, Action Reset)[]
{
    ("fence_ipmilan (lanplus, cipher 3, defaults)", Device("fence_ipmilan", Bmc(("lanplus", "1"), ("cipher", "3"))), ipmi.Reset),
    ("fence_ipmilan (lanplus, cipher 3, power_wait=0)", Device("fence_ipmilan", Bmc(("lanplus", "1"), ("cipher", "3"), ("power_wait", "0"))), ipmi.Reset),
    ("fence_cm_ipmi (defaults)", Device("fence_cm_ipmi", Bmc()), ipmi.Reset),
    ("fence_cm_virsh (defaults)", Device("fence_cm_virsh", ("uri", virt.Uri), ("pcmk_host_list", "node1")), virt.Reset),
    ("fence_cm_virsh over ssh", Device("fence_cm_virsh", ("ip", ssh.Address), ("identity_file", ssh.IdentityFile),
        ("ssh_path", ssh.SshWrapper), ("uri", virt.Uri), ("pcmk_host_list", "node1")), virt.Reset),
};

Console.WriteLine($"Time to fence node1, {runs} runs each (seconds: median / min / max), on {Environment.ProcessorCount} cores");
Console.WriteLine($"{"adapter",-50} {"action",-7} {"median",8} {"min",8} {"max",8}");
foreach (var (name, device, reset) in cases)
{
    var fencer = new Fencer(FencingConfiguration.Empty with { Devices = [device] }, runner, new FencerOptions(),
        TimeProvider.System, NullLogger<Fencer>.Instance);
    foreach (var action in new[] { FenceAction.Off, FenceAction.Reboot })
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            reset();
            var clock = Stopwatch.StartNew();
            var result = await fencer.FenceAsync(new NodeName("node1"), action, CancellationToken.None);
            clock.Stop();
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"{name} {action} failed: {result.Message}");
            }

            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-50} {action.ToString().ToLowerInvariant(),-7} {times[times.Count / 2],8:0.000} {times[0],8:0.000} {times[^1],8:0.000}"));
    }
}
