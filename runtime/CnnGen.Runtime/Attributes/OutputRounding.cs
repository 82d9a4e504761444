namespace CnnGen
{
    /// <summary>
    /// How a layer handles an output size (W − F + 2P)/S + 1 that is not an integer.
    /// </summary>
    public enum OutputRounding
    {
        /// <summary>The default: a non-integral output size is compile-time error CNN001.</summary>
        Exact = 0,

        /// <summary>Round down: ⌊(W − F + 2P)/S⌋ + 1, PyTorch's default.</summary>
        Floor = 1,

        /// <summary>
        /// Pools only: ⌈(W − F + 2P)/S⌉ + 1, less one when the last window would start beyond the
        /// input and its left padding ((out − 1)·S ≥ W + P); PyTorch's <c>ceil_mode=True</c>.
        /// </summary>
        Ceil = 2,
    }
}
