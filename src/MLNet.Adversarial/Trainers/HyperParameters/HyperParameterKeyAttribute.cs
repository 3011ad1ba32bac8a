namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Records an inherited hyper-parameter under another metadata key in this options class, where it means something
/// narrower (IRGAN's <c>Epochs</c> are G's BPR pre-training epochs: <c>pretraining_epochs</c>).
/// </summary>
/// <param name="property">The inherited option.</param>
/// <param name="key">Its metadata key in this class.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HyperParameterKeyAttribute(string property, string key) : Attribute
{
    /// <summary>The inherited option.</summary>
    public string Property { get; } = property;

    /// <summary>Its metadata key in this class.</summary>
    public string Key { get; } = key;
}
