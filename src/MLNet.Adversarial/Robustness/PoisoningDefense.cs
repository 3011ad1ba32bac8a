namespace MLNet.Adversarial.Robustness;

/// <summary>What a trainer does against poisoned training data before it trains (<see cref="PoisoningDefenses"/>).</summary>
public enum PoisoningDefense
{
    /// <summary>Train on every row.</summary>
    None,

    /// <summary>The recommended defence, whatever the attack: currently <see cref="Neighbors"/>.</summary>
    Auto,

    /// <summary>Drop the rows of the users a <see cref="FakeProfileDetector"/> with its default options suspects.</summary>
    Neighbors,
}
