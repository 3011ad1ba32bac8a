namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Marks a public trainer option that is not a hyper-parameter (a column name, data, a callback, where or how fast
/// training runs, a serving setting), so that the declaration test can tell it from one that was forgotten.
/// </summary>
/// <param name="reason">Why it is not a hyper-parameter, in a few words.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class NotHyperParameterAttribute(string reason) : Attribute
{
    /// <summary>Why the option is not a hyper-parameter.</summary>
    public string Reason { get; } = reason;
}
