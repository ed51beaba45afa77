using System.Text.Json;

namespace ClusterManager.Cli.Tests.Agents;

/// <summary>
/// hactl stonith list/describe against Debian's fence agents in /usr/sbin and the repository's fencing-agents/
/// (fence_cm_ipmi), reading the agents' real metadata.
/// </summary>
public class FenceAgentCommandsTests
{
    [Test]
    public async Task List_PrintsMatchingAgentsWithDescriptions_IncludingOurs()
    {
        var run = await LocalHactl.RunAsync("stonith", "list", "ipmi");

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((0, "")));
        Assert.That(run.Out, Is.EqualTo(
            "fence_cm_ipmi - Fence agent for IPMI over ipmitool (ClusterManager)\n"
            + "fence_ipmilan - Fence agent for IPMI\n"
            + "fence_ipmilanplus - Fence agent for IPMI\n"));
    }

    [Test]
    public async Task List_PrintsNamesOnly_WithNodescAndWithoutHelpersThatAreNotAgents()
    {
        var run = await LocalHactl.RunAsync("stonith", "list", "--nodesc");

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.OutLines, Does.Contain("fence_ipmilan").And.Contain("fence_virsh").And.Contain("fence_cm_virsh"));
        Assert.That(run.OutLines, Does.Not.Contain("fence_ack_manual").And.Not.Contain("fence_legacy"));
        Assert.That(run.OutLines[..^1], Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task List_Fails_WhenNothingMatchesTheFilter()
    {
        var run = await LocalHactl.RunAsync("stonith", "list", "no-such-agent");

        Assert.That((run.ExitCode, run.Out, run.Error), Is.EqualTo((1, "", "error: No stonith agents matching the filter.\n")));
    }

    [Test]
    public async Task Describe_PrintsOurIpmiAgent_WithRequiredOptionsAndFencerOptions()
    {
        var run = await LocalHactl.RunAsync("stonith", "describe", "fence_cm_ipmi");
        var lines = run.OutLines;

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((0, "")));
        Assert.That(lines[..4], Is.EqualTo(new[]
        {
            "fence_cm_ipmi - Fence agent for IPMI over ipmitool (ClusterManager)",
            "",
            "fence_cm_ipmi powers a machine off and on through its BMC with ipmitool over IPMI v2.0 (lanplus). The cipher suite is "
            + "explicit, the password is passed to ipmitool in the environment, a BMC error fails the action at once, and every off "
            + "and on is verified by polling the chassis power status.",
            "",
        }));
        Assert.That(lines, Does.Contain("Stonith options:")
            .And.Contain("  ip (required): IP address or hostname of the BMC")
            .And.Contain("  username (required): BMC user name")
            .And.Contain("  cipher (default: 3): Cipher suite: 3 (HMAC-SHA1, AES-128) or 17 (HMAC-SHA256, AES-128); 0 is refused"));
        Assert.That(lines, Has.Some.StartsWith("  pcmk_host_list: ").And.Some.StartsWith("  pcmk_delay_max (default: 0s): "));
        Assert.That(run.Out, Does.Not.Contain("ipaddr").And.Not.Contain("\n  action ").And.Not.Contain("pcmk_reboot_timeout")
            .And.EndWith("\nDefault operations:\n  monitor:\n    interval=60s\n"));
    }

    [Test]
    public async Task Describe_ShowsDeprecatedAndAdvancedOptions_OnlyWithFull()
    {
        var run = await LocalHactl.RunAsync("stonith", "describe", "fence_cm_ipmi", "--full");

        Assert.That(run.OutLines, Does.Contain("  action (deprecated by pcmk_off_action, pcmk_reboot_action) (default: reboot): Fencing action")
            .And.Contain("  ipaddr (deprecated by ip): IP address or hostname of the BMC")
            .And.Contain("  login (deprecated by username): BMC user name"));
        Assert.That(run.OutLines, Has.Some.StartsWith("  pcmk_reboot_timeout: ").And.Some.StartsWith("  pcmk_host_argument (default: port): "));
    }

    [Test]
    public async Task Describe_PrintsDebianIpmilan_WithoutCommandLineOnlyOptionsAndPortNotRequired()
    {
        var run = await LocalHactl.RunAsync("stonith", "describe", "fence_ipmilan", "--full");
        var lines = run.OutLines;

        Assert.That(lines[0], Is.EqualTo("fence_ipmilan - Fence agent for IPMI"));
        Assert.That(lines, Does.Contain("  plug: IP address or hostname of fencing device (together with --port-as-ip)")
            .And.Contain("  port (deprecated by plug): IP address or hostname of fencing device (together with --port-as-ip)")
            .And.Contain("  auth: IPMI Lan Auth type."));
        Assert.That(lines, Has.None.StartsWith("  help").And.None.StartsWith("  version"));
    }

    [Test]
    public async Task Describe_DoesNotRequirePlug_WhichTheFencerFillsInFromTheNodeName()
    {
        // fence_cm_virsh's metadata says plug required="1" (obsoletes port).
        var run = await LocalHactl.RunAsync("stonith", "describe", "fence_cm_virsh", "--full");

        Assert.That(run.OutLines, Has.Some.StartsWith("  plug: ").And.Some.StartsWith("  port (deprecated by plug): "));
        Assert.That(run.OutLines, Has.None.StartsWith("  plug (required)"));
    }

    [Test]
    public async Task Describe_WritesJson_WithFlagsOfEveryOption()
    {
        var run = await LocalHactl.RunAsync("stonith", "describe", "fence_cm_ipmi", "-o", "json");
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        var parameters = root.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        Assert.That((root.GetProperty("standard").GetString(), root.GetProperty("type").GetString()), Is.EqualTo(("stonith", "fence_cm_ipmi")));
        Assert.That(parameters["ip"].GetProperty("required").GetBoolean(), Is.True);
        Assert.That(parameters["ipaddr"].GetProperty("deprecated_by").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "ip" }));
        Assert.That(parameters["action"].GetProperty("required").GetBoolean(), Is.False);
        Assert.That(parameters["pcmk_off_retries"].GetProperty("advanced").GetBoolean(), Is.True);
    }

    [TestCase("fence_nope", "error: Agent 'stonith:fence_nope' is not installed or does not provide valid metadata: no executable fence agent 'fence_nope' in /usr/sbin, ")]
    [TestCase("/usr/sbin/fence_ipmilan", "error: Agent 'stonith:/usr/sbin/fence_ipmilan' is not installed or does not provide valid metadata: no executable fence agent '/usr/sbin/fence_ipmilan'")]
    public async Task Describe_FailsWithMessage_ForUnknownAgents(string agent, string error)
    {
        var run = await LocalHactl.RunAsync("stonith", "describe", agent);

        Assert.That((run.ExitCode, run.Out), Is.EqualTo((1, "")));
        Assert.That(run.Error, Does.StartWith(error));
    }

    [Test]
    public async Task Describe_AcceptsTheStonithPrefix()
    {
        var run = await LocalHactl.RunAsync("stonith", "describe", "stonith:fence_cm_ipmi");

        Assert.That((run.ExitCode, run.OutLines[0]), Is.EqualTo((0, "fence_cm_ipmi - Fence agent for IPMI over ipmitool (ClusterManager)")));
    }
}
