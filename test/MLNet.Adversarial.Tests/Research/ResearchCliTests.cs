using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Research;

namespace MLNet.Adversarial.Tests.Research;

/// <summary>The split between the shipped tool (<c>mlnet-adv</c>) and the research harness (<c>mlnet-adv-research</c>).</summary>
[TestClass]
public sealed class ResearchCliTests
{
    private static readonly string[] ProductCommands = ["train", "update", "tune", "evaluate", "recommend", "score", "export", "audit"];
    private static readonly string[] ResearchCommands = ["reproduce", "bench", "scale", "text-bench", "privacy-tradeoff", "foldin", "update-bench", "poisoning"];

    [TestMethod]
    public void TheShippedToolHasTheProductCommandsAndTheHarnessTheResearchOnes()
    {
        CollectionAssert.AreEquivalent(ProductCommands, CliApp.BuildRoot().Subcommands.Select(c => c.Name).ToArray());
        CollectionAssert.AreEquivalent(ResearchCommands, ResearchApp.BuildRoot().Subcommands.Select(c => c.Name).ToArray());
    }

    [TestMethod]
    [DataRow("reproduce")]
    [DataRow("bench")]
    [DataRow("scale")]
    public void AResearchCommandGivenToTheShippedToolIsAnUnknownCommand(string command)
    {
        var error = new StringWriter();
        int code = CliApp.Run([command], new StringWriter(), error);
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(error.ToString(), command);
    }

    [TestMethod]
    [DataRow("scale --users 0", "Users must be positive")]
    [DataRow("reproduce --seeds 0", "--seeds")]
    [DataRow("text-bench --batch 0", "--batch must be positive")]
    public void ResearchMisuseIsOneLineAndExitCodeOne(string commandLine, string expected)
    {
        var error = new StringWriter();
        int code = ResearchApp.Run(commandLine.Split(' '), new StringWriter(), error);
        Assert.AreEqual(1, code, error.ToString());
        StringAssert.Contains(error.ToString(), expected);
        Assert.DoesNotContain("   at ", error.ToString(), "no stack trace");
        Assert.AreEqual(1, error.ToString().TrimEnd().Split('\n').Length, error.ToString());
    }
}
