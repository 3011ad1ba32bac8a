using System.CommandLine;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Research.Commands;

namespace MLNet.Adversarial.Research;

/// <summary>Builds the research command tree and runs it with the product tool's plumbing; the tests call <see cref="Run"/> in-process.</summary>
internal static class ResearchApp
{
    public static RootCommand BuildRoot() => new("Research harness of MLNet.Adversarial: reproduce the documented experiments, measure speed and scale.")
    {
        ReproduceCommand.Create(),
        BenchCommand.Create(),
        ScaleCommand.Create(),
        TextBenchCommand.Create(),
        PrivacyTradeoffCommand.Create(),
        FoldInExperiment.Create(),
        UpdateBenchmark.Create(),
        PoisoningCommand.Create(),
    };

    /// <summary>Parses <paramref name="args"/>, runs the command and returns the exit code (0 on success).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => CliApp.Run(BuildRoot(), args, output, error);
}
