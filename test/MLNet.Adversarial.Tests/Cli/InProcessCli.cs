using MLNet.Adversarial.Cli;

namespace MLNet.Adversarial.Tests.Cli;

/// <summary>Runs <c>mlnet-adv</c> in-process (<see cref="CliApp.Run"/>) and captures what it writes.</summary>
internal static class InProcessCli
{
    /// <summary>The exit code and the two streams of one run.</summary>
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }
}
