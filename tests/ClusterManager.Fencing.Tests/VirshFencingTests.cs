using ClusterManager.Fencing.Lab;
using ClusterManager.Model;

namespace ClusterManager.Fencing.Tests;

/// <summary>Fencing libvirt test-driver domains served by an unprivileged libvirtd, through fence_cm_virsh.</summary>
[NonParallelizable]
public class VirshFencingTests
{
    private VirshLab _lab = null!;

    [OneTimeSetUp]
    public void StartLab() => _lab = VirshLab.Start(3);

    [OneTimeTearDown]
    public void StopLab() => _lab?.Dispose();

    [SetUp]
    public void ResetLab() => _lab.Reset();

    private FenceDevice Virsh(string id, params (string, string)[] extra) =>
        LabFencer.Device(id, "fence_cm_virsh", [("uri", _lab.Uri), .. extra]);

    [Test]
    public async Task FenceAsync_DestroysThenStartsDomain_ForOffAndOn()
    {
        var fencer = LabFencer.Create(Virsh("virt", ("pcmk_host_list", "node1 node2")));

        var off = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Off, CancellationToken.None);
        var stateAfterOff = _lab.State("node1");
        var on = await fencer.FenceAsync(new NodeName("node1"), FenceAction.On, CancellationToken.None);

        Assert.That(off.Succeeded, Is.True, off.Message);
        Assert.That(stateAfterOff, Is.EqualTo("shut off"));
        Assert.That(_lab.State("node2"), Is.EqualTo("running"), "other domains untouched");
        Assert.That(on.Succeeded, Is.True, on.Message);
        Assert.That(_lab.State("node1"), Is.EqualTo("running"));
    }

    [Test]
    public async Task FenceAsync_RebootsDomain_AsDestroyThenStart()
    {
        var fencer = LabFencer.Create(Virsh("virt", ("pcmk_host_list", "node2")));

        var result = await fencer.FenceAsync(new NodeName("node2"), FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True, result.Message);
        Assert.That(_lab.State("node2"), Is.EqualTo("running"));
        Assert.That(Shell.WaitFor(() => File.ReadAllText(_lab.EventLog).Contains("'node2': Stopped Destroyed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)), Is.True, "libvirt saw the domain destroyed");
    }

    [Test]
    public async Task FenceAsync_FencesMappedDomain_WhenHostMapGiven()
    {
        var fencer = LabFencer.Create(Virsh("virt", ("pcmk_host_map", "alpha:node3")));

        var result = await fencer.FenceAsync(new NodeName("alpha"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True, result.Message);
        Assert.That(_lab.State("node3"), Is.EqualTo("shut off"));
    }

    [Test]
    public async Task QueryDevicesAsync_UsesAgentList_WhenNoHostList()
    {
        var fencer = LabFencer.Create(Virsh("virt"));

        var node1 = (await fencer.QueryDevicesAsync(new NodeName("node1"), CancellationToken.None)).Single();
        var ghost = (await fencer.QueryDevicesAsync(new NodeName("ghost"), CancellationToken.None)).Single();
        var fenceGhost = await fencer.FenceAsync(new NodeName("ghost"), FenceAction.Off, CancellationToken.None);

        Assert.That(node1.Check, Is.EqualTo(HostCheck.DynamicList));
        Assert.That(node1.CanFence, Is.True, node1.Reason);
        Assert.That(ghost.CanFence, Is.False);
        Assert.That(fenceGhost.Succeeded, Is.False);
        Assert.That(fenceGhost.Message, Does.Contain("no fence device can fence ghost"));
    }

    [Test]
    public async Task FenceAsync_Fails_WhenDomainDoesNotExist()
    {
        var fencer = LabFencer.Create(Virsh("virt", ("pcmk_host_list", "node9")));

        var result = await fencer.FenceAsync(new NodeName("node9"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("failed to get domain"));
    }

    [Test]
    public async Task FenceAsync_Fails_WhenLibvirtUnreachable()
    {
        var fencer = LabFencer.Create(LabFencer.Device("virt", "fence_cm_virsh",
            ("uri", $"test+unix:///default?socket={_lab.Root}/no-such-socket"), ("pcmk_host_list", "node1")));

        var result = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("Unable to obtain correct plug status"));
        Assert.That(_lab.State("node1"), Is.EqualTo("running"));
    }

    private (int Exit, string Stdout, string Stderr) Agent(string stdin, params string[] argv) =>
        Shell.Run(Path.Combine(Shell.FencingAgentsDirectory(), "fence_cm_virsh"), argv, check: false, input: stdin);

    [Test]
    public void FenceCmVirsh_ReadsStdinLikeFenceAgents()
    {
        var stdin = $"# written by a test\n\n  action=status  \nuri=\"{_lab.Uri}\"\nport=node1\nunknown-opt=1\npower-timeout=5\n";

        var (exit, stdout, stderr) = Agent(stdin);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Is.EqualTo("Status: ON\n"));
        Assert.That(stderr, Does.Contain("Ignoring unknown option 'unknown-opt=1'"));
    }

    [Test]
    public void FenceCmVirsh_LastOccurrenceWins_AndStatusExitsTwoWhenOff()
    {
        _lab.Virsh("destroy", "node2");

        var (exit, stdout, _) = Agent($"action=off\naction=status\nuri={_lab.Uri}\nplug=node2\n");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stdout, Is.EqualTo("Status: OFF\n"));
    }

    [Test]
    public void FenceCmVirsh_RebootsByDefault_WhenNoAction()
    {
        var (exit, stdout, stderr) = Agent($"uri={_lab.Uri}\nport=node3\n");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Success: Powered OFF").And.Contain("Success: Powered ON").And.Contain("Success: Rebooted"));
        Assert.That(_lab.State("node3"), Is.EqualTo("running"));
    }

    [Test]
    public void FenceCmVirsh_TakesCommandLineOptions()
    {
        var (exit, stdout, stderr) = Agent("", $"--uri={_lab.Uri}", "-o", "list");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "test,", "node1,", "node2,", "node3," }), "the test driver always has its domain \"test\"");
    }

    [TestCase("action=off\n", "plug is required")]
    [TestCase("action=status\nplug=node1\npower_timeout=soon\n", "power_timeout 'soon' is not a number")]
    public void FenceCmVirsh_FailsWithClearError_WhenParametersBad(string stdin, string expected)
    {
        var (exit, _, stderr) = Agent(stdin);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(expected));
    }

    [Test]
    public async Task FenceAsync_FencesDomainOverSsh_LikeFenceVirsh()
    {
        using var network = NetworkNamespace.Create();
        using var ssh = SshServer.Start(network);
        var fencer = LabFencer.Create(LabFencer.Device("virt-ssh", "fence_cm_virsh",
            ("ip", ssh.Address), ("username", "root"), ("identity_file", ssh.IdentityFile), ("ssh_path", ssh.SshWrapper),
            ("uri", _lab.Uri), ("pcmk_host_list", "node1")));

        var off = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Off, CancellationToken.None);
        var stateAfterOff = _lab.State("node1");
        var logins = ssh.AcceptedLogins();
        var reboot = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Reboot, CancellationToken.None);

        Assert.That(off.Succeeded, Is.True, off.Message);
        Assert.That(stateAfterOff, Is.EqualTo("shut off"));
        Assert.That(logins, Is.EqualTo(1), "status, destroy and the status polls share one ssh connection");
        Assert.That(reboot.Succeeded, Is.True, reboot.Message);
        Assert.That(_lab.State("node1"), Is.EqualTo("running"));
    }

    [Test]
    public async Task FenceAsync_Fails_WhenSshKeyRefused()
    {
        using var network = NetworkNamespace.Create();
        using var ssh = SshServer.Start(network);
        var otherKey = Path.Combine(ssh.Root, "id_other");
        Shell.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey);
        var fencer = LabFencer.Create(LabFencer.Device("virt-ssh", "fence_cm_virsh",
            ("ip", ssh.Address), ("identity_file", otherKey), ("ssh_path", ssh.SshWrapper), ("uri", _lab.Uri), ("pcmk_host_list", "node1")));

        var result = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("Permission denied"));
        Assert.That(_lab.State("node1"), Is.EqualTo("running"));
    }
}
