from sixdegrees.cli import main

main()
